"""Ridge-regression probe of the features ShapeProbe.java writes: shape and colour accuracy per layer (70/30 split),
and shape accuracy of objects that touch another object against free ones. Usage: shape_probe_fit.py DIR [DIR...]"""
import numpy as np, sys
def ridge(Xtr,ytr,Xte,k,lam=1.0):
    mu=Xtr.mean(0); sd=Xtr.std(0)+1e-6
    Xtr=(Xtr-mu)/sd; Xte=(Xte-mu)/sd
    Xtr=np.hstack([Xtr,np.ones((len(Xtr),1))]); Xte=np.hstack([Xte,np.ones((len(Xte),1))])
    Y=np.eye(k)[ytr]
    W=np.linalg.solve(Xtr.T@Xtr+lam*len(Xtr)*0.01*np.eye(Xtr.shape[1]),Xtr.T@Y)
    return (Xte@W).argmax(1)
for d in sys.argv[1:]:
    L=np.load(d+'/labels.npy').astype(int); n=len(L); tr=np.arange(n)<int(0.7*n); te=~tr
    out=[]
    for l in ['layer1','layer2','layer3','layer4']:
        X=np.load(d+'/%s.npy'%l)
        ps=ridge(X[tr],L[tr,1],X[te],4); pc=ridge(X[tr],L[tr,2],X[te],5)
        out.append('%s shape %.0f%% colour %.0f%%'%(l,100*(ps==L[te,1]).mean(),100*(pc==L[te,2]).mean()))
    X=np.hstack([np.load(d+'/%s.npy'%l) for l in ['layer2','layer3','layer4']])
    ps=ridge(X[tr],L[tr,1],X[te],4)
    print(d.split('/')[-1], n, ' | '.join(out), '| l2-4 shape %.0f%%'%(100*(ps==L[te,1]).mean()))
    if L.shape[1] > 3:
        ps=ridge(X[tr],L[tr,1],X[te],4); ok=ps==L[te,1]; occ=L[te,3]==1
        print('   touching fraction %.2f; shape accuracy touching %.0f%%, free %.0f%%'%(occ.mean(),100*ok[occ].mean(),100*ok[~occ].mean()))
